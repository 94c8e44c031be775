area = 37.5
print(f"<<<{area:.2f}>>>")
