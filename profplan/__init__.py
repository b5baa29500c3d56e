import os

# python-docx brings lxml, and openpyxl switches to lxml whenever it is installed:
# then it parses uploaded workbooks without defusedxml and writes cells through
# another code path (a text cell starting with "=" lost its text type). Keep
# openpyxl on the standard library with defusedxml, as it was before lxml came.
os.environ.setdefault("OPENPYXL_LXML", "False")
