"""Admin: instructors are made by adding a user to the "instructor" group (Users page),
or with `python manage.py createinstructor USERNAME`."""

from django.contrib import admin

admin.site.site_header = "nnweb administration"
admin.site.site_title = "nnweb admin"
