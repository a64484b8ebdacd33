"""Saved playground experiments and instructors' classroom links."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class Experiment(models.Model):
    """A student's saved playground: settings, network, weights and loss history."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playground_experiments"
    )
    name = models.CharField(max_length=120)
    config = models.JSONField(help_text="validated playground settings (config.Config)")
    network = models.JSONField(help_text="engine Sequential.spec() of the network")
    params = models.JSONField(help_text='weights {"W1": [[...]], "b1": [...], ...}')
    history = models.JSONField(
        default=list, help_text="[iteration, train loss, test loss, train acc, test acc] rows"
    )
    iteration = models.PositiveIntegerField(default=0)
    epoch = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"

    def summary(self) -> dict:
        cfg = self.config or {}
        return {
            "id": self.pk,
            "name": self.name,
            "dataset": cfg.get("dataset"),
            "hidden": cfg.get("hidden"),
            "iteration": self.iteration,
            "last": self.history[-1] if self.history else None,
            "created": self.created.isoformat() if self.created else None,
            "updated": self.updated.isoformat() if self.updated else None,
        }


def _token() -> str:
    return secrets.token_urlsafe(9)


class ClassroomLink(models.Model):
    """An instructor's link to a playground setup with some controls hidden."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classroom_links"
    )
    token = models.CharField(max_length=32, unique=True, default=_token)
    title = models.CharField(max_length=120, blank=True)
    config = models.JSONField(help_text="the playground settings students start from")
    hidden_controls = models.JSONField(default=list, help_text="names of the controls to hide")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title or self.token

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "token": self.token,
            "title": self.title,
            "config": self.config,
            "hide": self.hidden_controls,
            "url": f"/playground/c/{self.token}/",
            "created": self.created.isoformat() if self.created else None,
        }
