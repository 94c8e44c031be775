possible = True
print(f"<<<{'Yes' if possible else 'No'}>>>")
