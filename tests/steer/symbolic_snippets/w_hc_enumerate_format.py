assignment = ["red", "green", "blue", "red"]
parts = [f"region{i}={color}" for i, color in enumerate(assignment)]
print("<<<" + "; ".join(parts) + ">>>")
