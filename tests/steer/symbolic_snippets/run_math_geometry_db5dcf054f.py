def calculate_polygon_area():
    area = 0
    for i in range(len(polygon)):
        for j in range(len(polygon)):
            area += (polygon[i][j] * polygon[i][j]) / 2
    return area

def print_polygon_area():
    print(f"The area of the polygon is {calculate_polygon_area()} square units.")

def main():
    answer = calculate_polygon_area()
    print_polygon_area()

main()
