"""listening's background tasks (django-tasks), queued by the scheduler (`core.scheduling`)."""

from datetime import timedelta

from django_tasks import task

from groundgame.core import scheduling

from . import services


@scheduling.periodic(every=timedelta(minutes=1), name="listening.recompute_opinion_maps")
@task()
def recompute_opinion_maps() -> dict:
    """Recompute the opinion map of every conversation whose votes changed since its last map (incremental: the
    others are left alone). A conversation over the memory cap is reported, not computed."""
    return services.opinion_maps_recompute_due()


@task()
def recompute_opinion_map(conversation_id: int) -> bool:
    """Recompute one conversation's map now (e.g. after moderation), if its votes changed."""
    from .models import Conversation

    conversation = Conversation.objects.filter(pk=conversation_id).first()
    return conversation is not None and services.opinion_map_recompute(conversation=conversation) is not None
