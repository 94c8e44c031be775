speeds = {"A": 60, "B": 45}
distance = 180
print("<<<Yes>>>" if distance / speeds["A"] < 4 else "<<<No>>>")
