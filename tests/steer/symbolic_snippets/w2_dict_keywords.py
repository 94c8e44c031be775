result = dict(A=1, B=0, C=1)
print(f"<<<{result}>>>")
