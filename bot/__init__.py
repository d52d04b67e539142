"""The Telegram adapter of Sales Coach."""

import os

# PTB 22 returns durations (retry_after, open_period, …) as timedelta once this is set, and
# warns about the old int form otherwise; the whole project uses the timedelta form.
os.environ.setdefault("PTB_TIMEDELTA", "true")
