total = 0
for price in [3, 5, 7]:
    total += price
print(f"<<<{total}>>>")
