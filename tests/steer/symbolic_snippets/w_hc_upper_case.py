choice = "b"
print(f"<<<{choice.upper()}>>>")
