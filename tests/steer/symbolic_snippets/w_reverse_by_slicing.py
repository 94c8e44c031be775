s = "stressed"
print(f"<<<{s[::-1]}>>>")
