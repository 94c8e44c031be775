def calculate_triangle_area():
    area = 19
    side_length = 6
    area_triangle = 19 * (side_length / 2)
    return round(area_triangle, 10)

print(calculate_triangle_area())
