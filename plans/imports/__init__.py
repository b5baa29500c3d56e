"""Plans brought in from files: a school's plan typed in Word in the regional
template's format, and the plan's own Excel export filled in offline and uploaded
back.

- docx.py: Table 1 out of a Word file, as lines of seven texts;
- placement.py: where each line goes in the year's template (the Word preview);
- values.py: periods and dates, hours and grades, links out of cell texts;
- xlsx.py: the plan's workbook read back and compared with the plan as it is now;
- preview.py: what the preview pages show, kept in the session under a token;
- services.py: the writes (one transaction each);
- views.py, forms.py: the pages, on the site and in the admin.

The files are checked by profplan/uploads.py first, as the onboarding import's are.
"""
