from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo scenario and its loader (`seed_demo`, `setup_demo`): installed only where CAPACITY_DEMO is on.

    The loader TRUNCATEs every inventory table and switches triggers off for bulk loads, so it is kept out
    of a production deployment's code paths: with DEBUG off the app is not installed unless asked for.
    """

    name = "demo"
    verbose_name = "Demo data"
