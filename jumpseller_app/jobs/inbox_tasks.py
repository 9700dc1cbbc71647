"""Jobs that turn hook deliveries in the inbox into mirror rows."""
