data = [12, 15, 11, 20, 17]
print(f"<<<{sum(data) / len(data)}>>>")
