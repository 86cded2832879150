"""URLs of the reporting transfers pages (included by reporting/urls.py, namespace "reporting")."""

urlpatterns: list = []
