text = "mississippi"
print(f"<<<{text.count('s')}>>>")
