"""URLs of the reporting workflow pages (included by reporting/urls.py, namespace "reporting")."""

urlpatterns: list = []
