from datetime import date, timedelta

today = date(2019, 3, 14)
one_week_ago = today - timedelta(days=7)
print(f"<<<{one_week_ago.strftime('%m/%d/%Y')}>>>")
