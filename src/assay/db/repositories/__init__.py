"""Every query lives here, typed; services call these instead of writing SQL."""
