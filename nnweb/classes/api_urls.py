"""REST API of the classes app, mounted at /api/classes/.

GET  POST /                                    my classes / create one (instructors)
POST      /join/                               {"code"}: join a class
GET  DEL  /<c>/                                the class (members) / delete it (owner)
POST      /<c>/instructors/                    {"username"}: add a co-instructor
DEL       /<c>/instructors/<u>/                remove a co-instructor (owner)
GET       /<c>/students/                       roster (instructors of the class)
GET  DEL  /<c>/students/<s>/                   one student's results / remove them
GET       /<c>/me/                             my results (students of the class)
GET  POST /<c>/assignments/                    list (members) / create (instructors)
GET  DEL  /<c>/assignments/<a>/                one assignment / delete it (instructors)
POST      /<c>/assignments/<a>/submit/         {"session"} or {"run"}: the server checks it
GET       /<c>/assignments/<a>/stats/          per-question statistics (instructors)
GET       /<c>/gradebook/                      grade book JSON (instructors)
GET       /<c>/gradebook.csv                   grade book CSV (instructors)
GET       /<c>/live/                           every student's latest live tile (instructors)
GET       /<c>/live/<s>/                       read-only snapshot of a student's live session
POST      /<c>/send/                           {"link"}: send a classroom setup to the class
"""

from django.urls import path

from . import views

app_name = "classes-api"

urlpatterns = [
    path("", views.ClassListView.as_view(), name="list"),
    path("join/", views.JoinView.as_view(), name="join"),
    path("<int:class_pk>/", views.ClassDetailView.as_view(), name="detail"),
    path("<int:class_pk>/instructors/", views.InstructorsView.as_view(), name="instructors"),
    path(
        "<int:class_pk>/instructors/<int:user_pk>/",
        views.InstructorDetailView.as_view(),
        name="instructor",
    ),
    path("<int:class_pk>/students/", views.StudentsView.as_view(), name="students"),
    path(
        "<int:class_pk>/students/<int:student_pk>/",
        views.StudentDetailView.as_view(),
        name="student",
    ),
    path("<int:class_pk>/me/", views.MyResultsView.as_view(), name="me"),
    path("<int:class_pk>/assignments/", views.AssignmentListView.as_view(), name="assignments"),
    path(
        "<int:class_pk>/assignments/<int:pk>/",
        views.AssignmentDetailView.as_view(),
        name="assignment",
    ),
    path("<int:class_pk>/assignments/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path(
        "<int:class_pk>/assignments/<int:pk>/stats/",
        views.QuestionStatsView.as_view(),
        name="stats",
    ),
    path("<int:class_pk>/gradebook/", views.GradebookView.as_view(), name="gradebook"),
    path("<int:class_pk>/gradebook.csv", views.GradebookCsvView.as_view(), name="gradebook-csv"),
    path("<int:class_pk>/live/", views.LiveTilesView.as_view(), name="live"),
    path(
        "<int:class_pk>/live/<int:student_pk>/", views.LiveSnapshotView.as_view(), name="snapshot"
    ),
    path("<int:class_pk>/send/", views.SendToClassView.as_view(), name="send"),
]
