"""How the sandbox behaves besides its data: clock, rate limits, faults and the traffic log."""
