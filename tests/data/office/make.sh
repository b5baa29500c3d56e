#!/bin/sh
# Writes order.doc (Word 97–2003) and report.xls (Excel 97–2003): real files of the
# old formats, saved by LibreOffice, that the evidence upload must accept. Needs
# `soffice` (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui). The hostile
# files (a VBA project, a renamed vbaProject.bin, …) are built in code instead:
# tests/office_files.py.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'Приказ о проведении недели профориентации\n' > "$work/order.txt"
printf 'Класс;Обучающихся\n6а;25\n' > "$work/report.csv"
profile="-env:UserInstallation=file://$work/profile"
soffice --headless "$profile" --convert-to 'doc:MS Word 97' --outdir "$work" "$work/order.txt"
soffice --headless "$profile" --convert-to 'xls:MS Excel 97' --outdir "$work" "$work/report.csv"
cp "$work/order.doc" "$work/report.xls" "$here/"
