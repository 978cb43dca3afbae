"""Background work of the RUNac node (thin: load by id, call the service)."""

from django.tasks import task

from amparo.exchange.runac import services


@task
def process_delivery(delivery_id: int) -> None:
    """Check and load a stored web upload; does nothing when it was already processed."""
    services.delivery_process(delivery_id=delivery_id)
