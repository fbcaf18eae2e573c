from django.urls import path

from analytics import views

urlpatterns = [
    path("events/<slug:event_id>/analytics/", views.event_analytics_page, name="event-analytics"),
    path("staff/analytics/", views.college_analytics_page, name="college-analytics"),
    path("staff/analytics.csv", views.college_analytics_csv, name="college-analytics-csv"),
]
