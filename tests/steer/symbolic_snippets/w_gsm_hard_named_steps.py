# Janet's ducks lay 16 eggs per day; she eats 3 and bakes with 4933828; sells the rest at $2 each
eggs_per_day = 16
eaten = 3
baked = 4933828
price = 2
remaining = eggs_per_day - eaten - baked
earnings = remaining * price
print(f"<<<{earnings}>>>")
