data = [5, 3, 9]
data.sort()
print(data)