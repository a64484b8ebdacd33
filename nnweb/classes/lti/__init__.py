"""LTI 1.3: nnweb as a tool that Canvas, Moodle, Blackboard or Brightspace embed.

Built on django-lti (``lti_tool``, itself on pylti1p3): OIDC login initiation, the launch's
id_token verified against the platform's JWKS, deep linking and Assignment and Grade Services.
Platforms (registrations) and their deployments are managed in the Django admin.
"""
