"""The hostile-input suite: every attack tried on Profplan, with the answer it must get.

The attacks that belong to one part of the code are tested beside it; this folder holds
those that cut across every part, and this list says where each of the others lives:

- another school's every URL and file (404), another region's (404), each role on
  every page of the site and of the admin: tests/test_access.py, tests/test_regions.py;
- malformed ids, dates, numbers and texts in every URL and form (never a 500):
  tests/test_malformed_input.py;
- oversized and zip-bomb files, XML entities, password-protected and renamed files:
  tests/accounts/test_onboarding_files.py, tests/plans/imports/test_docx_views.py;
- Office files with macros or embedded OLE objects, .doc/.xls that are not what their
  name says: tests/test_office_files.py;
- formula text written into Excel (kept as text): tests/plans/test_exports_xlsx.py,
  tests/plans/test_exports_consolidated.py, tests/monitoring/test_dashboard.py,
  tests/audit/test_admin.py;
- a document queued by a GET from another site (refused: only a POST asks):
  tests/test_access.py (`test_site_urls_for_every_role`), tests/plans/test_documents.py;
- the second factor on every centre page and in the admin:
  tests/accounts/test_second_factor.py;
- inline scripts that a Content-Security-Policy would let through:
  tests/test_csp_sources.py, tests/browser/test_csp.py;
- CSRF on every state change: tests/security/test_csrf.py;
- a school's team member posting to every URL of plans and monitoring (nothing changes,
  editing URLs 403/404), marking a row not assigned to them (403, refused by the service
  too): tests/plans/test_team_rights.py, tests/plans/test_my.py;
- the ministry on every URL of the site (reads its region, refuses every change, no
  names of people, no evidence files): tests/test_ministry.py;
- calendar links: guessed, garbage, over-long, replaced tokens and a removed person's
  link (404, never 500), one person's feed never shows another's rows:
  tests/plans/test_calendar.py.
"""
