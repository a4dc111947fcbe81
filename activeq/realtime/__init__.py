"""Realtime asynchronous inference: clocks, realtime environments, inference schedules, regret terms,
delay-aware (pipelined) networks and the agents that learn with them.

Import the modules directly, e.g. ``from activeq.realtime.pipelined import PipelinedMLP``.
"""
