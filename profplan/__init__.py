import os

# python-docx (the Word export) needs lxml, and openpyxl switches to lxml whenever it
# is installed: it would then parse uploaded workbooks with lxml instead of defusedxml
# (accounts/onboarding.py relies on defusedxml) and write a bare CR differently.
# openpyxl reads this once, at import; every entry point imports this package first.
os.environ.setdefault("OPENPYXL_LXML", "False")
