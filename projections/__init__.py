"""Read models derived only from the event log, one module per model, and the engine that runs them."""
