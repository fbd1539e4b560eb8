"""'Was this helpful?': the public form's view and its checks, and the admin's report.

Beside ``views`` in the layers: it calls the services and reads below it, and
the admin above it shows its report. The votes themselves are
``content.feedback.Feedback``; they are written by ``services.feedback``.
"""
