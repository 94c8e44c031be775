def check_triangle_area():
    if len(range(1, 11)) == 2:
        area = 12*pi * 5
        print(f"The area of the second triangle is {area:.2f} square units")
    else:
        print("Error: The area of the second triangle is not a square unit.")

check_triangle_area()
