line = "-" * 5
print(f"<<<{line}>>>")
