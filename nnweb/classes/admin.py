from django.contrib import admin

from .models import Assignment, Class, Submission


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("title", "kind", "due", "lesson", "target_accuracy")
    show_change_link = True


@admin.register(Class)
class ClassAdmin(admin.ModelAdmin):
    list_display = ("name", "join_code", "created_by", "n_instructors", "n_students", "created")
    search_fields = ("name", "join_code", "created_by__username")
    filter_horizontal = ("instructors", "students")
    readonly_fields = ("created",)
    inlines = [AssignmentInline]

    @admin.display(description="instructors")
    def n_instructors(self, obj) -> int:
        return obj.instructors.count()

    @admin.display(description="students")
    def n_students(self, obj) -> int:
        return obj.students.count()


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("title", "klass", "kind", "due", "lesson", "target_accuracy")
    list_filter = ("kind",)
    search_fields = ("title", "klass__name")
    autocomplete_fields = ("klass",)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("assignment", "student", "status", "score", "attempts", "passed_at", "updated")
    list_filter = ("status", "assignment__kind")
    search_fields = ("student__username", "assignment__title")
    readonly_fields = ("updated",)
