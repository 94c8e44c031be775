import datetime

d = datetime.date(1999, 12, 31) + datetime.timedelta(days=1)
print(f"<<<{d.strftime('%A')}>>>")
