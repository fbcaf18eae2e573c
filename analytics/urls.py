from django.urls import path

from analytics import export_views, views

urlpatterns = [
    path("events/<slug:event_id>/analytics/", views.event_analytics_page, name="event-analytics"),
    path("events/<slug:event_id>/manage/export.xlsx", export_views.event_export_xlsx, name="event-export-xlsx"),
    path("staff/analytics/", views.college_analytics_page, name="college-analytics"),
    path("staff/analytics.csv", views.college_analytics_csv, name="college-analytics-csv"),
]
