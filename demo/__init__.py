"""The demo scenario loaded by `manage.py seed_demo`: an invented Norwegian research infrastructure.

`catalogue` holds the fixed cast (sites, arrays, pools, teams, names), `scenario` plans people, projects,
allocations and usage curves in plain Python from a fixed random seed, and `loader` writes the plan to the
database in bulk.
"""
