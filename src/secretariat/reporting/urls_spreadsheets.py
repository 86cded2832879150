"""URLs of the reporting spreadsheets pages (included by reporting/urls.py, namespace "reporting")."""

urlpatterns: list = []
