"""Background tasks shared by every app."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(
    *, subject: str, body: str, to: list[str], html: str | None = None, reply_to: str | None = None
) -> int:
    """Send one e-mail. Enqueued after commit so a rolled-back change sends nothing."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, reply_to=[reply_to] if reply_to else None
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
