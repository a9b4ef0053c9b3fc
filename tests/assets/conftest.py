from tests.equipment_fixtures import catalogue, equipment  # noqa: F401  (shared fixtures)
