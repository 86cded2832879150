"""URLs of the reporting compliance pages (included by reporting/urls.py, namespace "reporting")."""

urlpatterns: list = []
