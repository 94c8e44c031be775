first, second = "Yes", "No"
print(f"<<<{first}>>>")
