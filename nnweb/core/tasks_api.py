"""The background tasks API, from Django itself when it has one (Django >= 6.0), else
from the official backport (django-tasks) used on Python 3.11 with Django 5.2.

Always import from here:

    from nnweb.core.tasks_api import task, default_task_backend, TaskResultStatus

    @task(queue_name="default")
    def my_job(n: int) -> int: ...

    result = my_job.enqueue(n=10)      # TaskResult; result.id is a string
    default_task_backend.get_result(result.id).status

Tasks run on a `python manage.py db_worker` process (django-tasks-db backend).
"""

try:  # Django 6.0+
    from django.tasks import (  # type: ignore[import-not-found]
        DEFAULT_TASK_BACKEND_ALIAS,
        DEFAULT_TASK_QUEUE_NAME,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django.tasks.exceptions import (  # type: ignore[import-not-found]
        TaskResultDoesNotExist,
        TaskResultMismatch,
    )
except ImportError:  # Django 5.2 + the django-tasks backport
    from django_tasks import (
        DEFAULT_TASK_BACKEND_ALIAS,
        DEFAULT_TASK_QUEUE_NAME,
        TaskContext,
        TaskResult,
        TaskResultStatus,
        default_task_backend,
        task,
        task_backends,
    )
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

__all__ = [
    "DEFAULT_TASK_BACKEND_ALIAS",
    "DEFAULT_TASK_QUEUE_NAME",
    "TaskContext",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultMismatch",
    "TaskResultStatus",
    "default_task_backend",
    "task",
    "task_backends",
]
