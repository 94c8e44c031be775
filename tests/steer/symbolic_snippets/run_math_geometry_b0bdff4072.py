def calculate_triangle_area():
    area = 25
    side_length = 45
    area_triangle = 25 * (side_length / 4)
    return round(area_triangle, 10)

print(calculate_triangle_area())
