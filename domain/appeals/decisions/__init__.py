"""The appeal's decisions by concern: who may act, intake, routing, answers, deadlines."""
