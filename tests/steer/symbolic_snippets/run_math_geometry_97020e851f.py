def check_triangle_area():
    if len(range(1, 11)) == 2:
        area = 12*pi * 4
    elif len(range(1, 11)) == 2:
        area = 12*pi * 4
    else:
        area = 12*pi * 3
    print(f"The area of the second triangle is {area:.2f} square units")

check_triangle_area()
