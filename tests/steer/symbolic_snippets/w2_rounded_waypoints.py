waypoints = [(0.0, 0.0), (round(1.25, 2), 0.5), (2.0, 2.0)]
print(f"<<<{waypoints}>>>")
