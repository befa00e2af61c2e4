"""Celery queues split (city-scale topology): each task goes to the queue of its kind of work."""
import pytest

from ihanoi.celery_app import app

EXPECTED = {
    "feedback.tasks.send_outbox_message": "notifications",
    "feedback.tasks.send_outbox_messages": "notifications",
    "feedback.tasks.drain_outbox": "notifications",
    "feedback.tasks.send_daily_digests": "notifications",
    "feedback.tasks.sweep_overdue": "sweeps",
    "feedback.tasks.escalate_overdue": "sweeps",
    "feedback.tasks.send_due_soon_reminders": "sweeps",
    "feedback.tasks.close_answered_cases": "sweeps",
    "feedback.tasks.make_photo_thumbnail": "images",
    "feedback.tasks.make_missing_thumbnails": "images",
    "feedback.tasks.purge_pending_photos": "images",
    "dashboard.tasks.refresh_tally": "celery",  # moved with the dashboard app
}


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


class CeleryQueueTests:
    @pytest.mark.parametrize(("task", "queue"), EXPECTED.items())
    def test_each_task_goes_to_its_queue(self, task, queue):
        assert task in app.tasks  # the name is a real task, not a typo in the routes
        assert _queue_of(task) == queue

    def test_a_worker_without_queue_names_takes_every_queue(self):
        assert set(app.amqp.queues) == {"celery", "notifications", "sweeps", "images"}

    def test_the_deadline_sweep_never_shares_a_queue_with_email(self):
        assert _queue_of("feedback.tasks.sweep_overdue") != _queue_of("feedback.tasks.send_outbox_message")

    def test_every_routed_queue_is_declared(self):
        declared = set(app.amqp.queues)
        assert {_queue_of(task) for task in EXPECTED} <= declared
