from django.urls import path

from comms import views

urlpatterns = [
    path("me/email/", views.my_email_preferences, name="my-email-preferences"),
    path("events/<slug:event_id>/manage/announcements/", views.event_announcements, name="event-announcements"),
    path("events/<slug:event_id>/notify-me/", views.event_opening_alert, name="event-opening-alert"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="email-unsubscribe"),
]
