values = [4, 8, 15, 16, 23, 42]
print(f"<<<{sum(v for v in values if v % 2 == 0)}>>>")
